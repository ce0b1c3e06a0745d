import yaml

import dagster as dg

from tests.conftest import REPO


def test_definitions_load_with_every_stage_job_schedule_and_sensor():
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"ingested_articles", "extracted_mentions", "resolved_incidents", "reconciled_casualties", "warehouse_tables"}
    assert defs.resolve_job_def("daily_incident_ledger") is not None
    assert defs.resolve_schedule_def("nightly_schedule").cron_schedule == "30 2 * * *"
    assert defs.resolve_sensor_def("new_day_folder_sensor") is not None


def test_workspace_points_at_the_definitions_module():
    workspace = yaml.safe_load((REPO / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["python_module"]["module_name"] == "pipelines.definitions"


def test_every_writer_asset_is_in_the_single_writer_pool():
    from pipelines.definitions import ALL_ASSETS

    for asset in ALL_ASSETS:
        assert asset.op.pool == "duckdb_writer", asset.key
    config = yaml.safe_load((REPO / "pipelines" / "dagster.yaml").read_text())
    assert config["concurrency"]["pools"]["default_limit"] == 1
