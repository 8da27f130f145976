#!/usr/bin/env python3
"""CDK entry point: `cdk synth -c env=dev|prod` (see docs/deploy.md)."""

import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers"))

from skillforge_infra.app_builder import build_app

if __name__ == "__main__":
    build_app().synth()
