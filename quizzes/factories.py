import factory

from accounts.factories import UserFactory
from quizzes.models import Category, Exam, Question, QuestionOption, QuestionType


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"EXAM_{n}")
    name = factory.LazyAttribute(lambda exam: f"Exam {exam.code}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CATEGORY_{n}")
    name = factory.LazyAttribute(lambda category: f"Category {category.code}")


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question with its options; the first `options__correct` of `options__count` are right.

    QuestionFactory(exams=[exam], categories=[category], type="multiple", options__correct=2)
    """

    class Meta:
        model = Question
        skip_postgeneration_save = True

    question_text = factory.Sequence(lambda n: f"Question number {n}: which option is right?")
    type = QuestionType.SINGLE
    explanation = "Because the first options are the right ones."
    tags = factory.LazyFunction(lambda: ["sample"])
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def options(question, create, extracted, count=4, correct=None, **kwargs):
        if not create:
            return
        if correct is None:
            correct = 2 if question.type == QuestionType.MULTIPLE else 1
        QuestionOption.objects.bulk_create(
            QuestionOption(question=question, text=f"Option {i + 1}", is_correct=i < correct, display_order=i)
            for i in range(int(count))
        )

    @factory.post_generation
    def exams(question, create, extracted, **kwargs):
        if create and extracted:
            question.exams.add(*extracted)

    @factory.post_generation
    def categories(question, create, extracted, **kwargs):
        if create and extracted:
            question.categories.add(*extracted)
