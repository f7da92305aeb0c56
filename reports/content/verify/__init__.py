"""The verification room: how a figure, a word and a source of the evidence tables are verified.

Every figure the briefing prints is quoted: it stands, as a number of the right kind, beside what it
is about, in an excerpt that is itself found word for word in its article; the curator's own prose,
its clinical words and its bibliography are held to the same. The rules are listed once, in
docs/rules.md; the modules are named by what they verify:

- ``evidence``: ``verify_evidence``, every table against the articles, in the order of the checks
- ``excerpts``: an excerpt is found verbatim in its article, in the normal form (rule 1)
- ``figures``: a part's figures are stated in its excerpts, of their kind, by their name (rules 2, 3)
- ``names``: what a figure is about, and the name nearest it in its clause (rule 3)
- ``denominators``: an ``of`` as a denominator, the patients a count is of, pairs in prose (rules 4, 5)
- ``absences``: an absence kept as severe, or as a subgroup's, as the source states it (rule 4)
- ``derived``: a figure the curator computed, recomputed from stated numbers (rule 2)
- ``gradings``, ``phases``: an event's grading and a study's phase are stated (rule 8)
- ``certainty``: a typed GRADE or OCEBM rating agrees with the computed one (rule 12)
- ``prose``: every number of the curator's text is an excerpt's, as the source gives it (rule 9)
- ``claims`` (with ``lexicon.yaml``), ``words``: clinical words and design fields are claims (rules 6, 7)
- ``bibliography``: a row's paper and registry ids are in its articles, or declared (rule 10)
- ``editorial``: promotional wording refused; a missing apparatus or abbreviation named
- shared by the checks: ``table`` (one table being checked, the counts), ``quoted`` (an excerpt read
  once), ``curated`` (which text is the curator's)

The article index's title and date are checked against the article file while it is read
(``reports.content.articles``, with the patterns of ``reports.content.citations``): only the reader
has the front matter. Import from the module that defines a name; this package re-exports nothing.
"""
