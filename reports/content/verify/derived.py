"""A figure the curator computed (``derived``) is recomputed, from numbers its excerpts state.

The expression is the curator's text: it is evaluated with ``ast`` over + - * / and brackets, never
run. Its result must agree with the figure as written, and each number it uses must be stated in
the part's excerpts (100, turning a proportion into a percentage, aside). Called by
``figures.check_part`` for a field listed under ``derived``, instead of looking the figure up.
"""

from __future__ import annotations

import ast
import operator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from reports.content.model import Backed, agrees_as_written
from reports.content.sources import PathKey
from reports.content.verify.quoted import Quoted, same_number
from reports.content.verify.table import TableCheck
from reports.text.figures import DATE, IDENTIFIER

if TYPE_CHECKING:
    from reports.content.verify.figures import Claim

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate(expression: str, names: dict[str, Decimal]) -> tuple[Decimal, list[Decimal]]:
    """The value of an arithmetic expression (+ - * / and brackets) and the literal numbers it uses.

    Written with ``ast`` instead of ``eval``: the expression is the curator's text and runs nothing.
    """
    literals: list[Decimal] = []

    def walk(node: ast.AST) -> Decimal:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            number = Decimal(str(node.value))
            literals.append(number)
            return number
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError("use numbers, n, of, + - * / and brackets only")

    if len(expression) > 200:
        raise ValueError("the expression is longer than 200 characters")
    try:
        tree = ast.parse(expression.replace("×", "*").replace("−", "-").replace("÷", "/"), mode="eval")
        return walk(tree), literals
    except (SyntaxError, ZeroDivisionError, InvalidOperation) as error:
        raise ValueError(f"cannot compute it ({error.__class__.__name__})") from None


def check_derived(check: TableCheck, part: Backed, claim: Claim, expression: str, quoted: list[Quoted], key: PathKey,
                  where: str) -> None:
    names = {name: Decimal(getattr(part, name)) for name in ("n", "of") if getattr(part, name, None) is not None}
    try:
        computed, literals = evaluate(expression, names)
    except ValueError as error:
        check.error(key, f"{where}: derived '{expression}': {error}")
        return
    if not agrees_as_written(computed, claim.value):
        check.error(key, f"{where} = {claim.value}, but derived '{expression}' gives {computed:.4g}; correct the "
                         "figure or the expression")
        return
    pool = [figure for excerpt in quoted for figure in excerpt.figures if figure.kind not in (IDENTIFIER, DATE)]
    for literal in literals:
        if literal == 100:
            continue  # turns a proportion into a percentage
        if not any(same_number(figure.value, literal) for figure in pool):
            check.error(key, f"{where}: derived '{expression}' uses {literal}, which its excerpts "
                             f"({', '.join(part.excerpts)}) do not state; compute only from quoted figures")
            return
    check.verification.figures += 1
