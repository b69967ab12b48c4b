import pytest

from quizzes.factories import QuestionFactory
from quizzes.models import QuizMode
from quizzes.services import start_session


@pytest.fixture
def bank(ccna, ospf):
    """Five single-answer and two multiple-answer active questions in CCNA / OSPF."""
    singles = QuestionFactory.create_batch(5, exams=[ccna], categories=[ospf], tags=["ospf"])
    multiples = QuestionFactory.create_batch(
        2, exams=[ccna], categories=[ospf], type="multiple", options__count=5, options__correct=2, tags=["lsa"]
    )
    return singles + multiples


@pytest.fixture
def practice_session(learner, bank):
    return start_session(user=learner, mode=QuizMode.PRACTICE, count=5).session


@pytest.fixture
def exam_session(learner, bank):
    return start_session(user=learner, mode=QuizMode.EXAM, count=5, time_limit_minutes=30).session
