public enum SyntheticData {}
