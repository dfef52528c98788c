-- Every (tag, segment) the desired state of one audience holds, for the name checks.
-- Parameters: $audience_key. Relations: {desired_tags}.
select distinct tag, segment_name
from {desired_tags}
where audience_key = $audience_key;
