GREETING = "from the source layer"
