"""A DICOMweb server that misbehaves on purpose, one way per path, for the client's hostile-server tests.

Usage: hostile_dicomweb.py PORT GOOD_PART10_FILE
Paths (under /dicom-web): each studies/{uid} retrieve answers by the study UID's last component:
  .1 a good multipart answer with one object (the control case)
  .2 a multipart answer with no boundary at all in its body
  .3 a part that announces 100 bytes and sends the whole object
  .4 a part that never ends (chunked, without end)
  .5 a redirect to another host
  .6 a part that is not DICOM
  .7 a good part, then the body stops inside the second part
  .8 a good part and the closing boundary, then an epilogue without end
Any retrieve asking for a transfer syntax other than * is answered 406 Not Acceptable, as a server that
cannot transcode does.
QIDO searches answer by the PatientID asked for: HUGE streams a JSON array without end, PAGES gives the
same full page whatever the offset, DEEP nests sequences 100 deep, REDIRECT redirects, anything else an
empty array.
"""
import http.server
import socketserver
import sys
import urllib.parse

PORT = int(sys.argv[1])
GOOD = open(sys.argv[2], "rb").read()
B = b"hostileboundary"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def chunk(self, data):
        self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")

    def start(self, status=200, ctype=None, chunked=True, extra=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        multipart = 'multipart/related; type="application/dicom"; boundary=hostileboundary'
        try:
            if "limit" in query and not url.path.endswith("/studies"):
                # The image-level search a retrieve plans with: nothing listed, the whole study asked for.
                self.start(ctype="application/dicom+json")
                self.chunk(b"[]")
                self.chunk(b"")
                return
            if url.path.endswith("/studies") and "limit" in query:
                pid = query.get("PatientID", [""])[0]
                if pid == "REDIRECT":
                    self.start(302, extra=[("Location", "http://elsewhere.example/dicom-web/studies")], chunked=False)
                    return
                self.start(ctype="application/dicom+json")
                if pid == "HUGE":
                    self.chunk(b"[")
                    item = b'{"0020000D":{"vr":"UI","Value":["1.2.3"]}},' * 2000
                    while True:
                        self.chunk(item)
                elif pid == "PAGES":
                    # The same full page whatever the offset: paging without end.
                    limit = int(query.get("limit", ["500"])[0])
                    self.chunk(b"[" + b",".join(b'{"0020000D":{"vr":"UI","Value":["1.2.3.%d"]}}' % i
                                                 for i in range(limit)) + b"]")
                elif pid == "DEEP":
                    self.chunk(b'[{"00081115":{"vr":"SQ","Value":[' * 1 + b'{"00081115":{"vr":"SQ","Value":[' * 99
                               + b"{}" + b"]}}" * 100 + b"]")
                else:
                    self.chunk(b"[]")
                self.chunk(b"")
                return
            syntaxes = [p.split("=", 1)[1].strip() for p in self.headers.get("Accept", "").split(";")
                        if p.strip().startswith("transfer-syntax=")]
            if any(s != "*" for s in syntaxes):
                self.start(406, chunked=False)
                return
            case = url.path.rstrip("/").split(".")[-1]
            if case == "5":
                self.start(302, extra=[("Location", "http://elsewhere.example/dicom-web" + url.path)], chunked=False)
                return
            self.start(ctype=multipart)
            if case == "1":
                self.chunk(b"--" + B + b"\r\nContent-Type: application/dicom\r\n\r\n" + GOOD + b"\r\n--" + B + b"--\r\n")
            elif case == "2":
                self.chunk(b"this is not a multipart body at all\r\n" * 10)
            elif case == "3":
                self.chunk(b"--" + B + b"\r\nContent-Type: application/dicom\r\nContent-Length: 100\r\n\r\n" + GOOD
                           + b"\r\n--" + B + b"--\r\n")
            elif case == "4":
                self.chunk(b"--" + B + b"\r\nContent-Type: application/dicom\r\n\r\n" + GOOD[:400])
                while True:
                    self.chunk(b"\0" * 65536)
            elif case == "6":
                self.chunk(b"--" + B + b"\r\nContent-Type: application/dicom\r\n\r\n" + b"GIF89a" * 100 + b"\r\n--" + B
                           + b"--\r\n")
            elif case == "7":
                self.chunk(b"--" + B + b"\r\nContent-Type: application/dicom\r\n\r\n" + GOOD + b"\r\n--" + B
                           + b"\r\nContent-Type: application/dicom\r\n\r\n" + GOOD[:1000])
            elif case == "8":
                self.chunk(b"--" + B + b"\r\nContent-Type: application/dicom\r\n\r\n" + GOOD + b"\r\n--" + B + b"--\r\n")
                while True:
                    self.chunk(b"epilogue " * 4096)
            self.chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
