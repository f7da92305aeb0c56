"""From verified content to a PDF: the template context (``context``), HTML (``html``),
abbreviations, fonts, charts and QR codes (``graphics``), and WeasyPrint (``engine``, ``pdf``).
Knows nothing of which document it is making."""
