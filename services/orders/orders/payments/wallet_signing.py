"""How the wallet-style providers sign what they send, as the providers that
Chinese drivers pay with do, so that their notifications can be checked here.

Both sign a canonical string made of the parameters: every non-empty
parameter except the signature itself (and, for the page payment, its
`sign_type`), sorted by name, joined as `key=value` with `&`.

- The page payment (`wallet_page`) signs that string with its RSA private key,
  "RSA2": SHA256withRSA, PKCS#1 v1.5, the signature base64 in `sign`. Orders
  checks it with the provider's public key; the private key never leaves the
  provider (the sandbox holds it).
- The QR payment (`wallet_qr`) signs it, followed by `&key=<API key>`, with
  HMAC-SHA256 keyed by the API key, the signature upper-case hex in `sign`
  (its family's v2 API; the newer v3 API signs with RSA instead).

A signature that does not match raises BadSignature (401) and nothing is
acted on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from orders.payments import BadSignature

SIGN = "sign"
SIGN_TYPE = "sign_type"
RSA2 = "RSA2"
HMAC_SHA256 = "HMAC-SHA256"


def canonical(params: Mapping[str, object], *, leave_out: tuple[str, ...] = (SIGN,)) -> str:
    """The string both sides sign: non-empty parameters but `leave_out`, sorted, key=value&…"""
    kept = {
        key: str(value)
        for key, value in params.items()
        if key not in leave_out and value is not None and str(value) != ""
    }
    return "&".join(f"{key}={kept[key]}" for key in sorted(kept))


# --- RSA2, the page payment's ------------------------------------------------------------


def new_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit key pair, as the sandbox makes at start when none is configured."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_key_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("The page payment's private key must be an RSA key.")
    return key


def load_public_key(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("The page payment's public key must be an RSA key.")
    return key


def rsa2_sign(params: Mapping[str, object], private_key: rsa.RSAPrivateKey) -> str:
    """The base64 SHA256withRSA signature of the parameters' canonical string."""
    text = canonical(params, leave_out=(SIGN, SIGN_TYPE)).encode()
    return base64.b64encode(private_key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa2_verify(params: Mapping[str, object], public_key: rsa.RSAPublicKey) -> None:
    """BadSignature unless `params["sign"]` is the provider's RSA2 signature of the rest."""
    if params.get(SIGN_TYPE, RSA2) != RSA2:
        raise BadSignature(f"The notification is signed with {params.get(SIGN_TYPE)}, not RSA2.")
    try:
        signature = base64.b64decode(str(params.get(SIGN) or ""), validate=True)
        text = canonical(params, leave_out=(SIGN, SIGN_TYPE)).encode()
        public_key.verify(signature, text, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        raise BadSignature("The notification's RSA2 signature does not match.") from None


# --- HMAC-SHA256, the QR payment's --------------------------------------------------------


def hmac_sign(params: Mapping[str, object], api_key: str) -> str:
    """The upper-case hex HMAC-SHA256 of the canonical string followed by &key=<API key>."""
    text = f"{canonical(params)}&key={api_key}".encode()
    return hmac.new(api_key.encode(), text, hashlib.sha256).hexdigest().upper()


def hmac_verify(params: Mapping[str, object], api_key: str) -> None:
    """BadSignature unless `params["sign"]` is the HMAC-SHA256 signature of the rest."""
    given = str(params.get(SIGN) or "")
    if not hmac.compare_digest(given.upper().encode(), hmac_sign(params, api_key).encode()):
        raise BadSignature("The notification's HMAC-SHA256 signature does not match.")
