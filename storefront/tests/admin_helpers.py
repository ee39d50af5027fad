from django.test import Client


def admin_as(user) -> Client:
    """A client logged in to the admin as `user`."""
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, url: str) -> str:
    """The HTML of an admin page that must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()
