"""One endpoint per locust run, named by BENCH_PATH; users send requests back to back."""

import os

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_PATH"]


class ApiUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def call_endpoint(self) -> None:
        self.client.get(PATH, name=PATH)
