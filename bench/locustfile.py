"""One endpoint per locust run; users send requests back to back.

BENCH_REQUESTS names a JSON file of requests, `[{"path": ..., "headers": {...}}, ...]`: one for
a fixed path, many for an endpoint that rotates over shoppers or products. Each user starts at
a random place in the list and goes round it, so concurrent users ask for different things.
Statistics are reported under BENCH_NAME.
"""

import json
import os
import random

from locust import FastHttpUser, constant, task

NAME = os.environ["BENCH_NAME"]
with open(os.environ["BENCH_REQUESTS"]) as requests_file:
    REQUESTS = json.load(requests_file)


class ApiUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.position = random.randrange(len(REQUESTS))

    @task
    def call_endpoint(self) -> None:
        request = REQUESTS[self.position]
        self.position = (self.position + 1) % len(REQUESTS)
        self.client.get(request["path"], headers=request.get("headers"), name=NAME)
