"""Two editors saving the same task at the same moment: exactly one wins (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from plans import services
from plans.forms import TaskForm
from plans.models import Task
from pmp_portal.core.concurrency import ConflictError

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are what this test is about"
)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_one_wins_one_gets_the_conflict(plan_a, board_editor, board_admin):
    task = plan_a.tasks.get()
    loaded_version = task.version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(title: str, actor) -> None:
        try:
            instance = Task.objects.get(pk=task.pk)
            data = {
                "activity": instance.activity_id,
                "number": instance.number,
                "title": title,
                "start_text": instance.start_text,
                "end_text": instance.end_text,
                "executor_texts": "\n".join(instance.executor_texts),
                "executors": [i.pk for i in instance.executors.all()],
                "version": loaded_version,
            }
            form = TaskForm(data, instance=instance, plan=plan_a)
            assert form.is_valid(), form.errors
            barrier.wait(timeout=10)
            services.part_save(actor=actor, plan=plan_a, form=form, loaded_version=loaded_version)
            outcomes[title] = "saved"
        except ConflictError:
            outcomes[title] = "conflict"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("Pirmais", board_editor)),
        threading.Thread(target=save, args=("Otrais", board_admin)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(title for title, outcome in outcomes.items() if outcome == "saved")
    task.refresh_from_db()
    assert task.title == winner
    assert task.version == loaded_version + 1
    assert task.history.filter(history_type="~").count() == 1
