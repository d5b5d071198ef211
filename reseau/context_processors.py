def centre(request):
    return {
        "centre_courant": getattr(request, "centre", None),
        "membership_courante": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
    }
