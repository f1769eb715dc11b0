/// The release this source tree is: the one place the version is written (the Makefile's `deb` and
/// CHANGELOG.md read it from `biloba --version`). `buildCommit` comes from the BuildCommitPlugin.
let bilobaVersion = "0.5.1"

/// What `biloba --version` prints: the version and the commit the binary was built from.
let bilobaVersionLine = "biloba \(bilobaVersion) (commit \(buildCommit))"
