/// A test PKI made with openssl in the current folder, as a shell fragment for the tests' scripts:
/// - `ca.pem`/`ca.key`: the CA the tests trust; `other.pem`: a CA that signed nothing we meet;
/// - `server.pem`/`server.key`: for localhost and 127.0.0.1;
/// - `elsewhere.pem`/`elsewhere.key`: valid, signed by the CA, for `elsewhere.test` only;
/// - `client.pem`/`client.key`: a client named `pacs.test`; `stranger.pem`/`.key` named `pacs.test` but
///   signed by the other CA;
/// - `expired.pem`/`expired.key`: for localhost, expired in 2020 (openssl 3.0's `x509` cannot backdate,
///   its `ca` command can).
/// Keys are mode 0600, as a careful user keeps them.
public enum TestCertificates {
  public static let shell = """
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=BilobaTestCA 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=OtherCA 2>/dev/null
    leaf() { # name CN SAN CA
      openssl req -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj /CN=$2 2>/dev/null
      printf "subjectAltName=$3\\n" > $1.ext
      openssl x509 -req -in $1.csr -CA $4.pem -CAkey $4.key -CAcreateserial -out $1.pem -days 2 -extfile $1.ext 2>/dev/null
      chmod 600 $1.key
    }
    leaf server localhost DNS:localhost,IP:127.0.0.1 ca
    leaf elsewhere elsewhere.test DNS:elsewhere.test ca
    leaf client pacs.test DNS:pacs.test ca
    leaf stranger pacs.test DNS:pacs.test other
    openssl req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj /CN=localhost 2>/dev/null
    chmod 600 expired.key
    printf "subjectAltName=DNS:localhost,IP:127.0.0.1\\n" > expired.ext
    printf "[ca]\\ndefault_ca=d\\n[d]\\ndatabase=index.txt\\nnew_certs_dir=.\\nserial=serial\\ndefault_md=sha256\\npolicy=p\\n[p]\\ncommonName=supplied\\n" > ca.cnf
    : > index.txt; echo 1000 > serial
    openssl ca -batch -config ca.cnf -startdate 20200101000000Z -enddate 20200201000000Z -in expired.csr \\
      -out expired.pem -keyfile ca.key -cert ca.pem -extfile expired.ext -notext 2>/dev/null
    """
}
