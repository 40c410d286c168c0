"""Messages between a family and the city's teams, and the notes service guidance keeps of calls."""
