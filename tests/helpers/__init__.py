"""What the tests share: tiny projects (``projects``), reading PDFs back (``pdf``), real servers
(``servers``), the layout check (``layout``) and the claim mutants (``mutants``). Fixtures are in conftest.py."""
