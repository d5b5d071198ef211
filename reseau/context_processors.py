def centre(request):
    return {
        "centre_courant": getattr(request, "centre", None),
        "membre_courant": getattr(request, "membre", None),
        "mes_centres": getattr(request, "membres", []),
    }
