"""docs/config.md and docs/state-files.md carry tables generated from the
schemas in the code; they must match what is built."""
import os
import subprocess

from hgwtest import BUILD, ROOT


def test_generated_docs_are_current():
    r = subprocess.run([os.path.join(ROOT, "scripts", "gendocs"), "--check", BUILD],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
