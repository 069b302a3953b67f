//! Turns plan items into SQL through the tera templates in `templates/`. (Being written.)
