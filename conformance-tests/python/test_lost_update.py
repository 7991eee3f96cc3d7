# The lost-update checker: 32 concurrent clients each make 200 optimistic increments over 4 hot
# keys (GetItem ConsistentRead -> UpdateItem conditioned on the version read -> retry on
# ConditionalCheckFailedException). If the compare-and-swap is not atomic, two clients win on
# the same version and an increment is lost: the counter then falls short of the successes.
# Run it alone with:  pytest -s conformance-tests/python/test_lost_update.py

import collections
import random
import threading
import time

from botocore.exceptions import ClientError

from conftest import make_client, unique_key

CLIENTS = 32
INCREMENTS_PER_CLIENT = 200
HOT_KEYS = 4
TIME_LIMIT_S = 120.0


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def test_no_lost_updates_under_contention(ddb, table_s):
    # Every successful conditional increment must be visible in the final counters.
    keys = [unique_key(f"hot{i}") for i in range(HOT_KEYS)]
    for k in keys:
        ddb.put_item(TableName=table_s, Item={"pk": S(k), "cnt": N(0), "ver": N(1)})

    successes = collections.Counter()
    conflicts = collections.Counter()
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_LIMIT_S
    start = threading.Barrier(CLIENTS)

    def worker(wid):
        client = make_client()
        rng = random.Random(wid)
        my_ok = collections.Counter()
        my_conflicts = 0
        try:
            start.wait()
            for _ in range(INCREMENTS_PER_CLIENT):
                k = keys[rng.randrange(HOT_KEYS)]
                while True:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"worker {wid} ran past {TIME_LIMIT_S}s")
                    item = client.get_item(TableName=table_s, Key={"pk": S(k)}, ConsistentRead=True)["Item"]
                    seen = item["ver"]["N"]
                    try:
                        client.update_item(
                            TableName=table_s, Key={"pk": S(k)},
                            UpdateExpression="SET cnt = cnt + :one, ver = ver + :one",
                            ConditionExpression="ver = :seen",
                            ExpressionAttributeValues={":one": N(1), ":seen": N(seen)})
                    except ClientError as e:
                        if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                            raise
                        my_conflicts += 1
                        continue
                    my_ok[k] += 1
                    break
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            with lock:
                errors.append(f"worker {wid}: {e!r}")
        finally:
            with lock:
                successes.update(my_ok)
                conflicts[wid] = my_conflicts

    began = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()) + 5)
    elapsed = time.monotonic() - began
    assert not any(t.is_alive() for t in threads), f"workers still running after {TIME_LIMIT_S}s"
    assert not errors, errors[:5]

    total_ok = sum(successes.values())
    total_conflicts = sum(conflicts.values())
    print(f"\nlost-update checker: {CLIENTS} clients x {INCREMENTS_PER_CLIENT} increments over "
          f"{HOT_KEYS} keys: {total_ok} successful increments, {total_conflicts} conflicts, "
          f"{elapsed:.1f}s ({total_ok / elapsed:.0f} increments/s)")
    assert total_ok == CLIENTS * INCREMENTS_PER_CLIENT
    for k in keys:
        item = ddb.get_item(TableName=table_s, Key={"pk": S(k)}, ConsistentRead=True)["Item"]
        counter, version = int(item["cnt"]["N"]), int(item["ver"]["N"])
        print(f"  {k}: counter={counter} version={version} successes={successes[k]}")
        assert counter == successes[k], f"{k}: {successes[k] - counter} increments lost"
        assert version == counter + 1, f"{k}: version {version} vs counter {counter}"
