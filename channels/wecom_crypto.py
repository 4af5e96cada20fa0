"""WeCom (企业微信) callback security, as WeCom documents it (WXBizMsgCrypt).

- Signature: SHA1 of the sorted strings token, timestamp, nonce, encrypted text.
- Encryption: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's
  first 16 bytes, PKCS#7 padding to 32-byte blocks; the plain text is
  16 random bytes + 4-byte big-endian length + message + the corp id.
AES comes from the ``cryptography`` package. No Rasa imports.
"""
import base64
import hashlib
import hmac
import os
import struct
import time
from typing import Optional

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class WeComCryptoError(ValueError):
    """A signature, key or ciphertext that does not check out."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


# A callback's timestamp (seconds) may differ from our clock by this much: WeCom
# retries within seconds, so anything older is a replay of a captured request.
MAX_SKEW_SECONDS = 300


def check_timestamp(timestamp: str, now: Optional[float] = None) -> None:
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        raise WeComCryptoError("timestamp is not a number") from None
    if abs((time.time() if now is None else now) - stamp) > MAX_SKEW_SECONDS:
        raise WeComCryptoError("timestamp too old or in the future")


def check_signature(token: str, timestamp: str, nonce: str, encrypted: str, given: str) -> None:
    if not hmac.compare_digest(signature(token, timestamp, nonce, encrypted), given or ""):
        raise WeComCryptoError("signature mismatch")


def _key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=")
    except (ValueError, TypeError):
        raise WeComCryptoError("EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise WeComCryptoError("EncodingAESKey must be 43 characters (32 bytes)")
    return key


def decrypt(encrypted: str, encoding_aes_key: str, receive_id: str) -> str:
    """The message inside ``encrypted``; checks padding, length and the corp id."""
    key = _key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (ValueError, TypeError):
        raise WeComCryptoError("encrypted text is not base64") from None
    if not data or len(data) % 16:
        raise WeComCryptoError("encrypted text has a wrong length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise WeComCryptoError("bad padding")
    plain = plain[:-pad]
    if len(plain) < 20:
        raise WeComCryptoError("message too short")
    (length,) = struct.unpack(">I", plain[16:20])
    message, rest = plain[20:20 + length], plain[20 + length:]
    if len(message) != length or rest.decode("utf-8", "replace") != receive_id:
        raise WeComCryptoError("message is not for this corp id")
    return message.decode("utf-8")


def encrypt(message: str, encoding_aes_key: str, receive_id: str, random16: bytes = b"") -> str:
    """The base64 ciphertext WeCom expects (used for replies and by the tests' fake)."""
    key = _key(encoding_aes_key)
    body = message.encode("utf-8")
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()
