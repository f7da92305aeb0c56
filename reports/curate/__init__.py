"""The curator's tools: from a new article to a study row that `reports check` verifies.

``draft`` reads an indexed article and proposes a row in the project's own schema, each figure with
the sentence that states it; ``emit`` writes that proposal as YAML with what it could not decide
left as ``TODO`` and the candidates in comments. Nothing here renders a document.
"""
