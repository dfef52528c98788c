"""The warehouse step: where the dbt project lives, running dbt, and reading its results back.

- `project`: paths (dbt project, profiles, warehouse file, raw folder) and `Settings`.
- `dbt_runner`: one dbt invocation in-process, summarised as a `DbtOutcome`.
- `report`: what a build produced (rows read and rejected, supporters, segment catalogue).
"""
