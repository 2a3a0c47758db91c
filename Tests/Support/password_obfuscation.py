#!/usr/bin/env python3
"""An independent implementation of the Go aws-runas password obfuscation (spec section 6.6),
written from the spec with hashlib.scrypt and the `cryptography` package's AES-CBC, so the
Swift encoder and decoder are checked against a second implementation rather than themselves.

    password_obfuscation.py encode URL COST SALT_HEX IV_HEX   < password   -> obfuscated value
    password_obfuscation.py decode URL                         < value      -> password

Secrets travel on stdin and stdout only (never argv). Exit status 1 with one line on stderr
when a value does not decode.
"""
import base64
import hashlib
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def rot32(text):
    return "".join(ALPHABET[(ALPHABET.index(c) + 32) % 64] for c in text)


def key(url, salt, cost):
    n = 1 << cost
    return hashlib.scrypt(url.encode(), salt=salt, n=n, r=8, p=1, dklen=16, maxmem=256 * n * 8 + (1 << 20))


def encode(url, cost, salt, iv, password):
    text = rot32(base64.b64encode(password.encode()).decode().rstrip("="))
    text += "=" * ((16 - len(text) % 16) % 16)
    encryptor = Cipher(algorithms.AES(key(url, salt, cost)), modes.CBC(iv)).encryptor()
    data = iv + encryptor.update(text.encode()) + encryptor.finalize()
    salt_text = base64.b32encode(salt).decode().rstrip("=")
    return "%x$%s$%s" % (cost, salt_text, base64.b64encode(data).decode().rstrip("="))


def unpadded(text, quantum):
    return text + "=" * ((quantum - len(text) % quantum) % quantum)


def decode(url, value):
    cost_text, salt_text, data_text = value.split("$")[:3]
    salt = base64.b32decode(unpadded(salt_text, 8))
    data = base64.b64decode(unpadded(data_text, 4), validate=True)
    decryptor = Cipher(algorithms.AES(key(url, salt, int(cost_text, 16))), modes.CBC(data[:16])).decryptor()
    text = (decryptor.update(data[16:]) + decryptor.finalize()).decode("ascii").rstrip("=")
    return base64.b64decode(unpadded(rot32(text), 4), validate=True).decode("utf-8")


def main():
    command = sys.argv[1]
    given = sys.stdin.read()
    if command == "encode":
        url, cost, salt, iv = sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4]), bytes.fromhex(sys.argv[5])
        sys.stdout.write(encode(url, cost, salt, iv, given))
    elif command == "decode":
        try:
            sys.stdout.write(decode(sys.argv[2], given.strip()))
        except Exception as error:  # one line, whatever failed
            sys.stderr.write("cannot decode: %s\n" % error)
            sys.exit(1)
    else:
        sys.stderr.write("unknown command %s\n" % command)
        sys.exit(2)


if __name__ == "__main__":
    main()
