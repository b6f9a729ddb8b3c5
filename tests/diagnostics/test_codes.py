from __future__ import annotations

import hashlib
import hmac
import sys

from diagnostics import codes


def test_it_makes_codes_with_at_least_50_bits_from_an_unambiguous_alphabet():
    assert codes.BITS_OF_RANDOMNESS >= 50
    assert not set("01OIL") & set(codes.ALPHABET)
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in made:
        assert codes.looks_valid(code)
        assert set(codes.normalise(code)) <= set(codes.ALPHABET)


def test_it_reads_a_code_however_it_is_typed():
    assert codes.normalise(" abcd efgh-jkmn ") == "ABCDEFGHJKMN"
    assert codes.display("abcdefghjkmn") == "ABCD-EFGH-JKMN"
    assert codes.hash_code("abcd-efgh-jkmn") == codes.hash_code("ABCDEFGHJKMN")


def test_it_hashes_with_sha256_of_the_normalised_code():
    assert codes.hash_code("ABCD-EFGH-JKMN") == hashlib.sha256(b"ABCDEFGHJKMN").hexdigest()


def test_it_rejects_codes_of_the_wrong_shape():
    assert not codes.looks_valid("ABCD-EFGH")
    assert not codes.looks_valid("ABCD-EFGH-JKM0")


def test_it_keys_the_spent_hash_with_its_own_secret(settings):
    settings.SPENT_CODE_KEY = "one-spent-code-key-" + "x" * 40
    spent = codes.spent_key("abcd efgh-jkmn")
    expected = hmac.new(settings.SPENT_CODE_KEY.encode(), b"ABCDEFGHJKMN", hashlib.sha256)
    assert spent == expected.hexdigest()
    assert spent == codes.spent_key("ABCD-EFGH-JKMN")
    assert spent != codes.hash_code("ABCD-EFGH-JKMN")
    # Someone holding the code and the unkeyed hash cannot compute it without the key.
    settings.SPENT_CODE_KEY = "another-spent-code-key-" + "x" * 40
    assert codes.spent_key("ABCD-EFGH-JKMN") != spent


def test_it_keeps_legacy_keys_apart_from_spent_keys_and_from_each_other():
    code_hash = codes.hash_code("ABCD-EFGH-JKMN")
    spent = codes.legacy_key(code_hash, purpose="spent")
    draft = codes.legacy_key(code_hash, purpose="draft")
    assert len({spent, draft, codes.spent_key("ABCD-EFGH-JKMN"), code_hash}) == 4


def test_it_keeps_exactly_the_letters_and_digits_str_isalnum_keeps_of_any_character():
    """normalise drops characters by pattern: it must keep what `str.isalnum` keeps (letters
    and digits of every script) and drop everything else, for every character there is."""
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    expected = "".join(ch for ch in every_character.upper() if ch.isalnum())
    assert codes.normalise(every_character) == expected


def test_it_takes_a_code_typed_with_any_separators_and_in_any_case():
    for typed in ("abcd-efgh-jkmn", "ABCD_EFGH_JKMN", " abcd\tefgh\njkmn ", "AB.CD/EF:GH JK·MN"):
        assert codes.looks_valid(typed), typed
    for typed in ("ABCD-EFGH-JKMNP", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMÑ", "ABCD-EFGH-JKM٣"):
        assert not codes.looks_valid(typed), typed
