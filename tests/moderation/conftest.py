import pytest

from quizzes.factories import ExamFactory, QuestionFactory
from quizzes.models import QuizMode
from quizzes.services import start_session


@pytest.fixture
def encor(db):
    return ExamFactory(code="ENCOR", name="CCNP ENCOR")


@pytest.fixture
def question(ccna, ospf):
    """A single-answer question with four options, the first one right."""
    return QuestionFactory(
        question_text="Which OSPF packet discovers neighbours?", exams=[ccna], categories=[ospf], tags=["ospf"]
    )


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def finished_session(learner, question):
    from quizzes.services import finish_session

    session = start_session(user=learner, mode=QuizMode.PRACTICE, count=1).session
    return finish_session(session=session)
