#!/usr/bin/env python3
"""Renders every overlay with kustomize and validates each object offline.

Kubernetes' own kinds are checked with kubernetes-validate (PyPI), whose JSON schemas
ship inside the package, in strict mode (unknown fields are errors). Custom resources
are checked against the CRD schemas in deploy/crds/, made strict the same way. A kind
with no schema is an error, not a warning. Needs `kubectl` (for `kubectl kustomize`)
and the packages scripts/services.sh installs into .tools/python.

    python3 deploy/check.py [--kubernetes 1.32] [OVERLAY ...]
"""

import argparse
import copy
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".tools", "python"))

import jsonschema  # noqa: E402
import kubernetes_validate.utils as kv  # noqa: E402
import yaml  # noqa: E402


def strict(schema):
    """Refuses properties a schema does not list, as the API server's strict field
    validation does, unless the schema keeps unknown fields on purpose."""
    schema = copy.deepcopy(schema)
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        keeps = node.get("x-kubernetes-preserve-unknown-fields")
        if "properties" in node and "additionalProperties" not in node and not keeps:
            node["additionalProperties"] = False
        for key in ("properties",):
            stack.extend(node.get(key, {}).values())
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                stack.append(node[key])
        for key in ("anyOf", "allOf", "oneOf"):
            stack.extend(node.get(key, []))
    return schema


def crd_schemas():
    """(apiVersion, kind) -> the strict openAPIV3Schema of every CRD in deploy/crds/."""
    schemas = {}
    for path in sorted(glob.glob(os.path.join(HERE, "crds", "*.yaml"))):
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                group = crd["spec"]["group"]
                kind = crd["spec"]["names"]["kind"]
                for version in crd["spec"]["versions"]:
                    schema = version["schema"]["openAPIV3Schema"]
                    schemas[(f"{group}/{version['name']}", kind)] = strict(schema)
    return schemas


def render(overlay):
    out = subprocess.run(["kubectl", "kustomize", overlay], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"kustomize cannot render {overlay}:\n{out.stderr}")
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def check(doc, schemas, version):
    """Returns an error message, or None when the object validates."""
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in schemas:
        errors = sorted(
            jsonschema.Draft7Validator(schemas[key]).iter_errors(doc), key=str
        )
        if errors:
            first = errors[0]
            path = ".".join(str(p) for p in first.absolute_path)
            return f"{path}: {first.message}"
        return None
    try:
        kv.validate(doc, version, strict=True)
    except kv.ValidationError as error:
        path = ".".join(str(p) for p in error.path)
        return f"{path}: {error.message}"
    except kv.SchemaNotFoundError as error:
        return error.message
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes", default="1.32")
    parser.add_argument("overlays", nargs="*")
    args = parser.parse_args()

    overlays = args.overlays or sorted(glob.glob(os.path.join(HERE, "overlays", "*")))
    schemas = crd_schemas()
    failures = 0
    for overlay in overlays:
        docs = render(overlay)
        kinds = set()
        for doc in docs:
            name = f"{doc['kind']}/{doc['metadata']['name']}"
            error = check(doc, schemas, args.kubernetes)
            kinds.add(doc["kind"])
            if error:
                failures += 1
                print(f"FAIL {os.path.basename(overlay)} {name}: {error}")
        label = os.path.basename(overlay)
        print(f"{label}: {len(docs)} objects of {len(kinds)} kinds checked")
    print(f"{failures} invalid objects")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
