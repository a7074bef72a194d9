"""TLS for the syslog TCP input (RFC 5425): the server context and the client allow-list.

With ``--client-ca`` every client must present a certificate that chains to it; with
``--allow`` entries the certificate must also be one of those named, by SHA-256 fingerprint
(hex, colons optional, ``SHA256:`` prefix optional) or by subject (``CN=client1`` or the full
``CN=client1,O=Example`` form, as ``openssl x509 -subject -nameopt RFC2253`` prints it).
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable, Mapping


def server_context(cert: str, key: str | None, client_ca: str | None) -> ssl.SSLContext:
    """A TLS 1.2+ server context; client certificates required when a CA is given."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if client_ca is not None:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _normal_fingerprint(text: str) -> str | None:
    body = text.removeprefix("SHA256:").removeprefix("sha256:").replace(":", "").lower()
    if len(body) == 64 and all(c in "0123456789abcdef" for c in body):
        return body
    return None


def _subject_text(cert: Mapping[str, object]) -> str:
    """The subject as RFC 2253 writes it (most specific part first)."""
    parts = []
    subject = cert.get("subject", ())
    assert isinstance(subject, tuple)
    for rdn in reversed(subject):
        for name, value in rdn:
            short = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
                     "countryName": "C", "localityName": "L", "stateOrProvinceName": "ST",
                     "emailAddress": "emailAddress"}.get(name, name)  # fmt: skip
            parts.append(f"{short}={value}")
    return ",".join(parts)


def peer_checker(allowed: list[str]) -> Callable[[ssl.SSLSocket], str | None]:
    """A check that says why a client is refused, or None when it is on the list."""
    fingerprints = {fp for fp in (_normal_fingerprint(a) for a in allowed) if fp}
    subjects = {a for a in allowed if _normal_fingerprint(a) is None}

    def check(conn: ssl.SSLSocket) -> str | None:
        if not allowed:
            return None
        der = conn.getpeercert(binary_form=True)
        if der is None:
            return "no client certificate"
        if hashlib.sha256(der).hexdigest() in fingerprints:
            return None
        subject = _subject_text(conn.getpeercert() or {})
        common_names = {part for part in subject.split(",") if part.startswith("CN=")}
        if subject in subjects or common_names & subjects:
            return None
        return f"certificate {subject or hashlib.sha256(der).hexdigest()} is not allowed"

    return check
