from __future__ import annotations

import hashlib

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
