"""Every example configuration in configs/ is accepted by every built daemon
that has a section in it (each checks the top level and its own section;
--check-config starts nothing).  A file with no section for a daemon is not
meant for it.  Paths to secret files are pointed at private temp files."""
import glob
import json
import os
import subprocess

import pytest

from hgwtest import BIN, ROOT

CONFIGS = sorted(glob.glob(os.path.join(ROOT, "configs", "*.json")) +
                 glob.glob(os.path.join(ROOT, "lab", "configs", "hgw.json")))
DAEMONS = sorted(p for p in os.listdir(BIN) if p != "hgwctl") if os.path.isdir(BIN) else []


def with_private_secrets(doc, tmp):
    """Replaces every "*_file" string value with a 0600 temp file."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k.endswith("_file") and isinstance(v, str):
                path = os.path.join(tmp, f"secret-{len(os.listdir(tmp))}")
                with open(path, "w") as f:
                    f.write("secret\n")
                os.chmod(path, 0o600)
                doc[k] = path
            else:
                with_private_secrets(v, tmp)
    elif isinstance(doc, list):
        for v in doc:
            with_private_secrets(v, tmp)
    return doc


@pytest.mark.parametrize("config", CONFIGS, ids=[os.path.basename(c) for c in CONFIGS])
def test_example_config_accepted_by_every_daemon(config, tmp_path):
    with open(config) as f:
        # The lab's config is a template: @WORK@ is its run directory.
        doc = json.loads(f.read().replace("@WORK@", str(tmp_path / "work")))
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    cfg = tmp_path / "hgw.json"
    cfg.write_text(json.dumps(with_private_secrets(doc, str(secrets))))
    mine = [d for d in DAEMONS if d in doc]
    if not mine:
        pytest.skip("no built daemon has a section in it")
    for d in mine:
        r = subprocess.run([os.path.join(BIN, d), "-c", str(cfg), "--check-config",
                            "--state-dir", str(tmp_path / "s"), "--data-dir", str(tmp_path / "d")],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"{d} rejects {os.path.basename(config)}:\n{r.stdout}{r.stderr}"
