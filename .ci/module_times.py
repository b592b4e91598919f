"""The modules that took longest in a pytest JUnit XML file (setup, call and teardown summed per test), for CI's
log: where a suite's time went, without --durations=0's thousands of lines.

    python .ci/module_times.py suite.xml [how-many]
"""

import os
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def main(path: str, top: int = 25) -> None:
    if not os.path.exists(path):
        print(f"no {path}: pytest ended before writing it")
        return
    per_module: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for case in ET.parse(path).iter("testcase"):
        parts = case.get("classname", "").split(".")  # tests.security.test_x, or tests.security.test_x.TestClass
        module = ".".join(parts[: next((i + 1 for i, part in enumerate(parts) if part.startswith("test_")), None)])
        per_module[module] += float(case.get("time") or 0)
        counts[module] += 1
    total = sum(per_module.values())
    print(f"{len(per_module)} modules, {sum(counts.values())} tests, {total:.0f} s in tests; the {top} longest:")
    for module, seconds in sorted(per_module.items(), key=lambda item: -item[1])[:top]:
        print(f"{seconds:8.1f} s {counts[module]:5d} tests  {module}")


if __name__ == "__main__":
    main(sys.argv[1], *(int(arg) for arg in sys.argv[2:3]))
