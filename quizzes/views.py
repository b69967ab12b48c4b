from django.shortcuts import render


def home(request):
    return render(request, "quizzes/home.html")


def quiz_start(request):
    return render(request, "quizzes/home.html")


def history(request):
    return render(request, "quizzes/home.html")


def bookmarks(request):
    return render(request, "quizzes/home.html")
