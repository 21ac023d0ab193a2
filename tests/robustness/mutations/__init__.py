"""The mutation harness of issue 15: redesign a fixture page and check no field comes out wrong.

* `cases`: the article fixtures with expected values (second-hand and first-hand corpora).
* `landmarks`: headline, byline, body and date line found by the text a reader sees, never by a
  portal's class names (the harness must not be fitted to the extractor's selectors).
* `markup`, `metadata`: the operators (renamed classes, wrappers, moved bylines, breadcrumbs and
  menus, date forms, meta tags, JSON-LD); `operators` names and groups them.
* `mutants`: one to three operators per mutant, reproducible from a seed.
* `judge`: exact / missing / wrong per field; `harness` runs the extractor and tallies;
  `table` prints the result. `python -m tests.robustness.mutations` prints it without pytest.

A mutation never changes the truth. Where it removes the only evidence of a field (the JSON-LD of
a page whose author is nowhere else), missing is the right answer; such fields are left out of the
exact share, and a wrong value still counts as wrong.
"""
