"""The README documents what it must: the two commands first, and every setting."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT
from winnow_common.config import settings_env_vars

README = (REPO_ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert first_block is not None and README.index("```bash") < README.index("## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make demo", "make test"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (REPO_ROOT / ".ci" / "run").read_text().splitlines()
    commands = [
        line for line in script if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", README, re.M))
    assert documented == settings_env_vars()
