"""Moderation of the question bank: problem reports, learner-submitted questions, the review queue
(the admin in quizzes/admin.py), exhibit images and the question history. `services` writes,
`forms` validate, `views` are the learner pages (templates/quizzes/moderation/), `urls` routes them."""
