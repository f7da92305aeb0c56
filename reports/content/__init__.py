"""The project's inputs, read and verified: the models (``model``), reading files safely
(``sources``), the folder (``project``), the readers (``articles``, ``evidence``, ``glossary``,
``settings``), and the checks that bind every figure and word to its source (``verify``,
``claims``, ``bibliography``, ``passages``); ``load`` runs them all. Never imports rendering."""
