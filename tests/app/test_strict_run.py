"""A run that skipped or xfailed anything fails, naming each test and the command that installs what was missing;
tests deselected with -m (the fast loop) are no skips (tests/support/strict.py)."""

from __future__ import annotations

import pytest

SAMPLES = {
    "all pass": ("def test_a():\n    assert True\n", 0),
    "pytest.skip inside a test": ("import pytest\ndef test_a():\n    pytest.skip('no chromium')\n", 1),
    "skip in a fixture": ("import pytest\n@pytest.fixture\ndef engine():\n    pytest.skip('no engine')\n"
                          "def test_a(engine):\n    pass\n", 1),
    "skipif marker": ("import pytest\n@pytest.mark.skipif(True, reason='not here')\ndef test_a():\n    pass\n", 1),
    "module skipped while collected": ("import pytest\npytest.importorskip('no_such_module_anywhere')\n"
                                       "def test_a():\n    pass\n", 1),
    "xfail that fails": ("import pytest\n@pytest.mark.xfail(reason='route missing')\ndef test_a():\n    assert False\n", 1),
    "xfail that passes": ("import pytest\n@pytest.mark.xfail(reason='route missing')\ndef test_a():\n    pass\n", 1),
    "imperative xfail": ("import pytest\ndef test_a():\n    pytest.xfail('no examples yet')\n", 1),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_a_skip_or_xfail_anywhere_fails_the_run(pytester, name):
    source, expected = SAMPLES[name]
    pytester.makepyfile(test_sample=source)
    result = pytester.runpytest("-p", "tests.support.strict", "-p", "no:cacheprovider")
    assert result.ret == expected, result.stdout.str()
    if expected:
        result.stdout.fnmatch_lines(["*skipped or xfailed: the run FAILS*", "*test_sample.py*", "*bash tests/install.sh*"])
    else:
        assert "the run FAILS" not in result.stdout.str()


def test_tests_deselected_with_a_marker_are_no_skips(pytester):
    pytester.makeini("[pytest]\nmarkers =\n    browser: drives a browser\n")
    pytester.makepyfile(test_sample="import pytest\n@pytest.mark.browser\ndef test_b():\n    pass\n"
                                    "def test_a():\n    pass\n")
    result = pytester.runpytest("-p", "tests.support.strict", "-p", "no:cacheprovider", "-m", "not browser")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=1, deselected=1)


def test_a_failure_keeps_its_own_status_next_to_a_skip(pytester):
    pytester.makepyfile(test_sample="import pytest\ndef test_a():\n    pytest.skip('x')\ndef test_b():\n    assert 0\n")
    result = pytester.runpytest("-p", "tests.support.strict", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1, skipped=1)
