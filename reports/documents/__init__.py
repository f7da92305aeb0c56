"""The documents a reader gets: the full briefing (``briefing``), the printable handouts
(``handout``) and the weekly briefing (``weekly``), on a common base (``base``: the rendered
result, the build date, warnings, up-to-date stamps). Never imports the runners."""
