"""`python -m satusehat.mock [--port 8090] [--dataset file.json]`: the local SATUSEHAT."""

import argparse
import json

from satusehat.mock import DEFAULT_DATASET, MockServer


def main() -> None:
    parser = argparse.ArgumentParser(description="A local SATUSEHAT for tests and demos.")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument(
        "--dataset", help="JSON file: organization_id, client_id/secret, patients, practitioners, locations"
    )
    args = parser.parse_args()
    dataset = DEFAULT_DATASET
    if args.dataset:
        with open(args.dataset, encoding="utf-8") as handle:
            dataset = json.load(handle)
    server = MockServer(args.port, dataset, quiet=False)
    print(f"SATUSEHAT mock on {server.url} (organisation {dataset['organization_id']}, client {dataset['client_id']})")
    try:
        server.server.serve_forever()
    except KeyboardInterrupt:
        server.server.server_close()


if __name__ == "__main__":
    main()
