"""Give the small data set's learner (the demo `learner`) a history of practice answers over the
last 120 days, once: without one the small/large ratios of the dashboard compared an empty
dashboard (no charts, no badges, no readiness) with the full one of the large set's learner, which
measures the charts, not the learner's history. The history is made the way the tests make theirs
(finished quizzes written in bulk, then progress rebuilt from them by gamification.progress).

    DATABASE_URL=... python bench/small_history.py [--answers 600]
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certquiz.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from quizzes.models import Question, SessionQuestion  # noqa: E402
from tests.helpers.gamification import make_history  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=600)
    args = parser.parse_args()
    learner = User.objects.get(username="learner")
    if SessionQuestion.objects.filter(session__user=learner, answered_at__isnull=False).exists():
        return
    questions = list(Question.objects.active().visible_to(learner).order_by("id"))
    make_history(learner, questions, args.answers, end=timezone.now())
    print(f"Gave the demo learner {args.answers} answers over the last 120 days.")


if __name__ == "__main__":
    main()
