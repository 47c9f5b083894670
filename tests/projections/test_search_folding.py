"""The search's folding of text (projections/search.py): lower case, accents removed, as the
rule says: the text's NFKD form (after case folding) without its combining characters."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from projections.search import fold, words


def by_the_rule(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@given(st.text())
def test_any_text_folds_by_the_rule(text: str) -> None:
    assert fold(text) == by_the_rule(text)


@given(st.text(alphabet="aeiouAEIOU çğışöüÇĞİŞÖÜ éèêëÉ ñÑ ﬁ ½ “”‘’ ё Ё ǅ\u0301\u0308", max_size=40))
def test_names_with_accents_fold_by_the_rule(text: str) -> None:
    assert fold(text) == by_the_rule(text)


def test_names_find_each_other_without_their_accents() -> None:
    assert fold("Türkiye") == "turkiye"
    found = words("Erdoğan met Zelenskyy in İstanbul")
    assert found == ["erdogan", "met", "zelenskyy", "in", "istanbul"]
    assert fold("ﬁnal ½") == "final 1⁄2"
