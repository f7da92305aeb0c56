"""How a figure is found in its excerpt: as written, as a numeral for a count, or as an absence for 0."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.verify import number_in_text


@pytest.mark.parametrize("value, text, found", [
    (14, "在 14 名接受治疗的患者中", True),
    (1580, "1,580 项试验", True),
    (Decimal("9.60"), "CD22(9.60%", True),
    (Decimal("32.0"), "IQR为32.0 ~ 39.8", True),
    (Decimal("0.75"), "0·75×109 CAR NK cells", True),
    (Decimal("18.2"), "無病生存18.2年", True),
    (18, "無病生存18.2年", False),  # part of a larger figure
    (2, "CD28、4-1BB", False),
    (1, "18例患者(1级)中有1例(6%)", True),
    (6, "one (6%) of 18 patients", True),
    (9, "Of the nine patients", True),
    (2, "成為了兩個孩子的母親", True),
    (1, "这是首个一期临床试验", False),  # 一期 (phase 1): 一 without a classifier is not a count
    (0, "未观察到剂量限制性毒性（DLT）", True),
    (0, "沒有證據表明CAR-T細胞治療會導致腫瘤", True),
    (0, "无论如何，研究均已完成", False),
    (0, "患者均发生了细胞因子释放综合征", False),
])
def test_a_figure_is_found_only_where_the_excerpt_states_it(value, text, found):
    assert number_in_text(value, text) is found
