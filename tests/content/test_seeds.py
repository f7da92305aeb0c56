"""The shipped articles are our real input: they stay byte for byte as received."""

from __future__ import annotations

import hashlib
from pathlib import Path

ARTICLES = Path(__file__).resolve().parents[2] / "seeds" / "articles"

RECEIVED = {
    "car-m-ct0508-phase1.md": "8229b45ee86988d8af1fd2e138bf066e8f68d49b1ae7eba18ee1e01116bb1ed8",
    "car-t-her2-rhabdomyosarcoma.md": "5d39904f5eee5c346ee3a07b71864da2e8c5a7578cf9affafd4942be524d2c0f",
    "car-t-gd2-neuroblastoma-18y.md": "115196dca07460e92c98f6db53ecba3ed9c5fd87d30e62dad36cb2c87ecf42f9",
    "car-nk-cd19-lupus.md": "cc3d08c26e8b240c0462bc3c81071ea5e54564e2ee4b1a8c46ad20d8af700fe8",
    "car-t-landscape-1580-trials.md": "a81268a783f885530885ac5845c935bd07299d223554fa0d38952c72ff15c381",
}


def test_the_seed_articles_are_unchanged():
    for name, digest in RECEIVED.items():
        assert hashlib.sha256((ARTICLES / name).read_bytes()).hexdigest() == digest, name
