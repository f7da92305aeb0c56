"""The project's inputs, read and verified: the models (``model``), reading files safely
(``sources``), the folder (``project``), the readers (``articles``, ``evidence``, ``glossary``,
``settings``) and the bibliographic patterns they share with the checks (``citations``), the
checks that bind every figure and word to its source (the ``verify`` room), and the quoted passages
of the appendix (``passages``); ``load`` runs the reading and the checks. Never imports rendering."""
