# Makes tests/lib importable and its fixtures available to every test dir.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))
pytest_plugins = ["hgwtest"]
