from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print the API token of the user with this e-mail address, creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        users = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
        if users.count() != 1:
            raise CommandError(f"{email}: no single active user has this e-mail address")
        token, _ = Token.objects.get_or_create(user=users.get())
        self.stdout.write(token.key)
