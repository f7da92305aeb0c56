"""`reports doctor`: is this machine able to build a correct, fast Chinese PDF?"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from reports.render.fonts import REQUIRED_FACES

APT = "sudo apt-get install -y"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def font_families() -> set[str]:
    if not shutil.which("fc-list"):
        return set()
    listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


def check_fonts(families: set[str]) -> list[Check]:
    checks = []
    for role, candidates in REQUIRED_FACES.items():
        found = [face for face in candidates if face in families]
        checks.append(Check(
            f"CJK font ({role})",
            bool(found),
            found[0] if found else f"none of {', '.join(candidates)} is known to fontconfig",
            f"{APT} fonts-noto-cjk",
        ))
    return checks


def check_libraries() -> list[Check]:
    from reports.render import engine

    weasyprint = engine.load()
    from weasyprint.text import ffi

    tuning = engine.tuning()
    pango = ffi.pango.pango_version()
    pango_text = f"{pango // 10000}.{pango // 100 % 100}.{pango % 100}"
    return [
        Check("WeasyPrint", True, weasyprint.__version__),
        Check("Pango", pango >= 14400, pango_text, f"{APT} libpango-1.0-0 libpangoft2-1.0-0 (Pango >= 1.44)"),
        Check(
            "HarfBuzz subsetting",
            ffi.harfbuzz_subset is not None,
            "libharfbuzz-subset found" if ffi.harfbuzz_subset is not None
            else "missing: fonts are subset by fontTools, about 15x slower for CJK fonts",
            f"{APT} libharfbuzz-subset0",
        ),
        Check(
            "WeasyPrint tuning",
            all(tuning.values()),
            ", ".join(f"{name}: {'on' if on else 'off'}" for name, on in tuning.items()),
            "pip install 'weasyprint>=70,<71' (the version reports/render/engine.py was written for)",
        ),
    ]


def run_checks() -> list[Check]:
    checks = check_fonts(font_families())
    try:
        checks += check_libraries()
    except OSError as error:  # Pango or HarfBuzz missing: WeasyPrint cannot even load
        checks.append(Check("WeasyPrint libraries", False, str(error), f"{APT} libpango-1.0-0 libpangoft2-1.0-0"))
    return checks
