"""WeasyPrint, loaded once per process and kept warm between renders.

Every render goes through here (reports/render/pdf.py), so a CLI build, a batch worker and a service
worker all get the same three fixes for what benchmarks/compare.py measured WeasyPrint 70 spending:

1. **Finding its C libraries.** WeasyPrint asks cffi for each library under several names
   ("libpango-1.0-0", "pango-1.0-0", ..., "libpango-1.0.so.0"); for every name that is not a
   file, cffi falls back to ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``,
   then ``gcc`` and ``ld``: about 0.17 s of helper processes at every process start. While
   WeasyPrint is imported, that search finds nothing at once, and cffi goes on to the next name:
   each list ends with the library's file name (``libpango-1.0.so.0``), which the dynamic loader
   opens directly. Where one does not, the import is done again the library's own way.
2. **Fonts copied whole.** ``weasyprint.pdf.fonts.Font`` copies each font file it draws with
   into a Python ``bytes`` (the whole 19-27 MB Noto CJK collection, once per face used: ten in
   the briefing), then subsets from HarfBuzz's own copy and drops the bytes. The whole file is
   read only for variable and colour fonts. Here the bytes are taken when something reads them,
   so the subsetting never makes the copy: 250 MB less at the peak for the full briefing, the
   same PDF bytes (tests/render/test_engine.py checks both).
3. **Set-up per render.** A ``FontConfiguration`` (fontconfig's configuration, Pango's font
   map and the fonts it has opened) and the parsed stylesheets are made once per process and
   reused by every render, as WeasyPrint's documentation allows; a render only lays out.

Fixes 1 and 2 reach into WeasyPrint's internals, pinned by pyproject.toml (``weasyprint<71``);
if those internals are not as expected, the fix is skipped and WeasyPrint works as it ships
(``tuning()`` says which fixes are on; ``reports doctor`` prints it).
"""

from __future__ import annotations

import ctypes.util
import sys
import threading
from contextlib import contextmanager
from functools import lru_cache

from reports.render.fonts import REQUIRED_FACES


def _no_library_search(name: str) -> None:
    """Nothing found: cffi goes on to WeasyPrint's next name for the library."""
    return None


@contextmanager
def _libraries_opened_by_file_name():
    if sys.platform != "linux":
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = _no_library_search
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _import_weasyprint() -> tuple[object, bool]:
    """WeasyPrint, and whether its libraries were opened by file name (else as it ships)."""
    if "weasyprint.text.ffi" in sys.modules:  # imported already, its libraries found as it ships
        import weasyprint

        return weasyprint, False
    try:
        with _libraries_opened_by_file_name():
            import weasyprint
        return weasyprint, sys.platform == "linux"
    except OSError:
        for module in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[module]
        import weasyprint  # the library's own lookup, helper processes and all; its error if that fails too
        return weasyprint, False


class _DeferredFontData:
    """A HarfBuzz face whose bytes are copied out only when something reads them."""

    __slots__ = ("face",)

    def __init__(self, face):
        self.face = face


class _FontDataOnDemand:
    """``Font.file_content`` as a descriptor: stores what is assigned, copies a deferred face on first read."""

    def __init__(self, copy_face_data):
        self.copy_face_data = copy_face_data

    def __get__(self, font, owner=None):
        if font is None:
            return self
        data = font.__dict__["_file_content"]
        if isinstance(data, _DeferredFontData):
            data = font.__dict__["_file_content"] = self.copy_face_data(data.face)
        return data

    def __set__(self, font, data) -> None:
        font.__dict__["_file_content"] = data


def _read_fonts_on_demand() -> bool:
    from weasyprint.pdf import fonts

    copy_face_data = getattr(fonts, "get_hb_object_data", None)
    if copy_face_data is None or not isinstance(getattr(fonts, "Font", None), type):
        return False  # not the WeasyPrint this was written for: leave it as it is
    creating = threading.local()  # set while a Font is made: only its whole face is deferred

    def face_data_on_demand(hb_object, ot_color=None, glyph=None):
        if ot_color is None and getattr(creating, "font", False):
            return _DeferredFontData(hb_object)
        return copy_face_data(hb_object, ot_color, glyph)

    make_font = fonts.Font.__init__

    def make_font_reading_data_on_demand(font, *args, **kwargs):
        creating.font = True
        try:
            make_font(font, *args, **kwargs)
        finally:
            creating.font = False

    fonts.get_hb_object_data = face_data_on_demand
    fonts.Font.__init__ = make_font_reading_data_on_demand
    fonts.Font.file_content = _FontDataOnDemand(copy_face_data)
    return True


@lru_cache(maxsize=1)
def _tuned_weasyprint() -> tuple[object, dict[str, bool]]:
    module, opened_by_file_name = _import_weasyprint()
    return module, {"library lookup": opened_by_file_name, "fonts read on demand": _read_fonts_on_demand()}


def load():
    """The WeasyPrint module, imported and tuned once per process (before anything else imports it)."""
    return _tuned_weasyprint()[0]


@lru_cache(maxsize=1)
def font_configuration():
    """One font configuration per process: fontconfig is read and fonts are opened once."""
    load()
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def tuning() -> dict[str, bool]:
    """Which of the fixes above are on in this process."""
    return dict(_tuned_weasyprint()[1])


def warm_up_page() -> str:
    """A page set in every face the stylesheets name (reports doctor's list), regular and bold, and the URLs' face."""
    faces = "".join(f"<p style=\"font-family: '{candidates[0]}'\">文<b>文</b></p>" for candidates in REQUIRED_FACES.values())
    return f"<html><body>{faces}<p style=\"font-family: 'DejaVu Sans Mono'\">https://</p></body></html>"
