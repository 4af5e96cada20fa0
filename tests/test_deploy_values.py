"""The Helm values in deploy/ agree with what the project's own servers need.

No cluster runs here: these checks read the values files as Helm would get them
and hold them to the project's rules (several replicas, PostgreSQL + Redis, no
model download, telemetry off, routing by sender, tokens only from secrets).
"""
import re
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SECRET_NAMES = re.compile(r"TOKEN|PASSWORD|SECRET|_URL$")


def values(name):
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


def env_of(chart):
    return {item["name"]: item for item in chart.get("extraEnv", [])}


@pytest.fixture(scope="module")
def rasa():
    return values("rasa-values.yml")


@pytest.fixture(scope="module")
def actions():
    return values("action-server-values.yml")


def test_several_rasa_replicas_on_postgresql_and_redis(rasa):
    assert rasa["replicaCount"] >= 2
    assert rasa["postgresql"]["install"] and rasa["redis"]["install"]
    endpoints = rasa["applicationSettings"]["endpoints"]
    assert endpoints["trackerStore"]["enabled"] and endpoints["lockStore"]["enabled"]


def test_no_model_download_and_no_telemetry(rasa, actions):
    settings = rasa["applicationSettings"]
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False
    assert "models" not in settings.get("endpoints", {})
    for chart in (rasa, actions):
        assert chart["applicationSettings"]["telemetry"]["enabled"] is False


def test_both_charts_run_this_projects_image_through_serve_sh(rasa, actions):
    assert (rasa["command"], rasa["args"]) == (["scripts/serve.sh"], ["rasa"])
    assert (actions["command"], actions["args"]) == (["scripts/serve.sh"], ["actions"])
    assert rasa["image"] == actions["image"]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["scripts/serve.sh"]' in dockerfile and "rasa train" in dockerfile


def test_sellers_are_routed_by_sender_id(rasa):
    annotations = rasa["ingress"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/upstream-hash-by"] == "$arg_sender"
    widget = (DEPLOY.parent / "web" / "widget" / "chat-widget.js").read_text()
    assert 'query: session ? { sender: session.sender } : {}' in widget
    assert '"sender=" + encodeURIComponent(session.sender)' in widget


def test_secrets_come_only_from_kubernetes_secrets(rasa, actions):
    for chart in (rasa, actions):
        for name, item in env_of(chart).items():
            if SECRET_NAMES.search(name) and name != "ACTION_ENDPOINT_URL":
                assert "secretKeyRef" in item.get("valueFrom", {}), name
                assert "value" not in item, name


def test_network_exposure_comes_with_tokens_and_listed_origins(rasa, actions):
    rasa_env, action_env = env_of(rasa), env_of(actions)
    assert rasa_env["BIND_HOST"]["value"] == "0.0.0.0" and "RASA_AUTH_TOKEN" in rasa_env
    assert "SESSION_SECRET" in rasa_env  # each replica must accept the others' widget sessions
    # The API's Host check (channels/request_guard.py) must accept the ingress's name.
    assert rasa["ingress"]["hostname"] in rasa_env["ALLOWED_HOSTS"]["value"].split(",")
    assert action_env["ACTION_HOST"]["value"] == "0.0.0.0"
    assert rasa_env["ACTION_TOKEN"]["valueFrom"] == action_env["ACTION_TOKEN"]["valueFrom"]
    assert "*" not in rasa["applicationSettings"]["cors"] and "*" not in rasa_env["WIDGET_ORIGINS"]["value"]


def test_rasa_calls_the_action_servers_service(rasa, actions):
    # `helm install zqbz-actions rasa/rasa-action-server` names the service
    # zqbz-actions-rasa-action-server; it listens on port 80.
    assert env_of(rasa)["ACTION_ENDPOINT_URL"]["value"] == "http://zqbz-actions-rasa-action-server/webhook"
    assert actions["service"]["port"] == 80
